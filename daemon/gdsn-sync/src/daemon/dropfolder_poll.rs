//! Polling a drop folder: scan, take each stable file, have it applied,
//! then move it to `done/` (or `failed/` when nothing in it could be
//! read). All file work runs on blocking threads.

use std::sync::{Arc, Mutex};

use gdsn_dropfolder::{DropFolder, Finished, Taken};
use tracing::{info, warn};

use super::Shared;
use super::connections::PollReport;
use crate::ingest::{SharedFile, Source};

pub(crate) async fn poll(
    shared: &Arc<Shared>,
    name: &str,
    folder: &Arc<Mutex<DropFolder>>,
    report: &mut PollReport,
) -> Result<(), String> {
    let scanning = Arc::clone(folder);
    let scan = blocking(shared, move || {
        let mut folder = scanning.lock().map_err(|_| "drop folder lock poisoned".to_owned())?;
        folder.scan().map_err(|e| e.to_string())
    })
    .await?;
    for refusal in &scan.refused {
        warn!(connection = name, file = %refusal.name, reason = ?refusal.reason, "drop folder entry refused");
        shared.metrics.record_file(name, "refused");
    }
    report.waiting = Some(scan.waiting as u64);
    for ready in scan.ready {
        if shared.shutdown.is_cancelled() {
            break;
        }
        let taking = Arc::clone(folder);
        let taken = blocking(shared, move || {
            let mut folder = taking.lock().map_err(|_| "drop folder lock poisoned".to_owned())?;
            folder.take(&ready).map_err(|e| e.to_string())
        })
        .await;
        let taken = match taken {
            Ok(taken) => taken,
            Err(e) => {
                // Changed since the scan: it waits again; the others go on.
                warn!(connection = name, "{e}");
                continue;
            }
        };
        let file_name = taken.name().to_owned();
        let file = Arc::new(Mutex::new(taken));
        let shared_file: SharedFile = file.clone();
        let source = Source::Open { label: format!("{name}/{file_name}").into(), file: shared_file };
        let applied = shared.ingest(name, source).await?;
        let Some(taken) = Arc::into_inner(file).and_then(|m| m.into_inner().ok()) else {
            return Err(format!("{file_name}: still in use after ingest"));
        };
        finish(shared, name, folder, taken, applied.unreadable).await?;
        report.messages += 1;
    }
    Ok(())
}

async fn finish(
    shared: &Arc<Shared>,
    name: &str,
    folder: &Arc<Mutex<DropFolder>>,
    taken: Taken,
    unreadable: bool,
) -> Result<(), String> {
    let folder = Arc::clone(folder);
    let finished = blocking(shared, move || {
        let mut folder = folder.lock().map_err(|_| "drop folder lock poisoned".to_owned())?;
        let result =
            if unreadable { folder.failed(taken, "no document could be read") } else { folder.done(taken) };
        result.map_err(|e| e.to_string())
    })
    .await?;
    match finished {
        Finished::Moved(path) => {
            info!(connection = name, to = %path.display(), "file moved");
            shared.metrics.record_file(name, if unreadable { "failed" } else { "done" });
        }
        Finished::Gone => {
            info!(connection = name, "file replaced while applied: left for the next scan");
            shared.metrics.record_file(name, "left");
        }
        _ => {}
    }
    Ok(())
}

/// Runs file work on a tracked blocking thread.
async fn blocking<T: Send + 'static>(
    shared: &Shared,
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    shared.tracker.spawn_blocking(work).await.unwrap_or_else(|e| Err(format!("a blocking task failed: {e}")))
}
