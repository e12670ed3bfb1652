//! The customs product page and the ops status page (rendering only: the
//! daemon's HTTP module serves them).
