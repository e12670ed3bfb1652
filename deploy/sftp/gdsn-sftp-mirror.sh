#!/usr/bin/env bash
# Moves GDSN messages between a data pool's SFTP server and one gdsn-sync drop-folder connection.
# gdsn-sync speaks no SFTP itself: this script, run by gdsn-sftp-mirror@NAME.timer, is the transport.
#
#  1. Download: `lftp mirror --Remove-source-files` from the pool's outgoing folder into the inbox.
#     lftp writes each file as NAME.part and renames it when complete; gdsn-sync ignores *.part and
#     waits until a file's size and time are stable for min_age_secs, so it never reads half a file.
#     The pool's copy is removed only after the whole file has arrived.
#  2. Upload: each NAME.xml in the outbound folder (the daemon writes replies there by
#     write-then-rename, so an .xml is always complete) is put as .NAME.part on the server, renamed
#     to NAME.xml there, and only then moved aside into the sent folder locally. A failed upload
#     leaves the file in outbound for the next run; a crash between the remote rename and the local
#     move sends it twice, which the pool treats as a repeat of the same message id.
#
# Settings come from the environment (the unit reads /etc/gdsn-sync/sftp-NAME.env):
#   SFTP_URL         sftp://user@host[:port]                                        (required)
#   SFTP_KEY         private key for the user; the host key must be in known_hosts  (required)
#   REMOTE_INBOX     the pool's folder of messages for us               (default: /outbox)
#   REMOTE_OUTBOUND  the pool's folder for our replies                  (default: /inbox)
#   LOCAL_INBOX      the connection's drop_folder.inbox                                (required)
#   LOCAL_OUTBOUND   the connection's drop_folder.outbound                             (required)
#   LOCAL_SENT       where uploaded replies are moved    (default: LOCAL_OUTBOUND/../sent)
#   LFTP_TIMEOUT     seconds per network operation                      (default: 60)
set -euo pipefail

: "${SFTP_URL:?set SFTP_URL, e.g. sftp://gdsn@pool.example.com}"
: "${SFTP_KEY:?set SFTP_KEY to the private key file}"
: "${LOCAL_INBOX:?set LOCAL_INBOX to the drop folder inbox}"
: "${LOCAL_OUTBOUND:?set LOCAL_OUTBOUND to the drop folder outbound}"
REMOTE_INBOX=${REMOTE_INBOX:-/outbox}
REMOTE_OUTBOUND=${REMOTE_OUTBOUND:-/inbox}
LOCAL_SENT=${LOCAL_SENT:-$(dirname -- "$LOCAL_OUTBOUND")/sent}
LFTP_TIMEOUT=${LFTP_TIMEOUT:-60}

# Settings shared by both directions. BatchMode stops ssh from ever prompting; the host key must be
# known already (StrictHostKeyChecking stays at ssh's default, "ask", which fails in batch mode).
lftp_settings() {
    cat <<SETTINGS
set cmd:fail-exit yes
set net:timeout ${LFTP_TIMEOUT}
set net:max-retries 3
set net:reconnect-interval-base 5
set sftp:connect-program "ssh -a -x -o BatchMode=yes -i ${SFTP_KEY}"
set xfer:use-temp-file yes
set xfer:temp-file-name *.part
set xfer:clobber no
open ${SFTP_URL}
SETTINGS
}

download() {
    # --no-recursion: the inbox is read flat, so subfolders would never be taken.
    # --no-perms: the daemon's umask decides, not the server's modes.
    # --Remove-source-files: the pool's copy goes only after the local rename from *.part.
    lftp -c "$(lftp_settings)
mirror --Remove-source-files --no-recursion --no-perms --no-umask --parallel=1 \
    --exclude-glob .* --exclude-glob *.part --exclude-glob *.tmp --exclude-glob *.filepart \
    '${REMOTE_INBOX}' '${LOCAL_INBOX}'"
}

upload_one() {
    local file=$1 name
    name=$(basename -- "$file")
    lftp -c "$(lftp_settings)
cd '${REMOTE_OUTBOUND}'
put '${file}' -o '.${name}.part'
mv '.${name}.part' '${name}'"
}

upload() {
    mkdir -p -- "$LOCAL_SENT"
    local file
    # Hidden names are the daemon's files still being written; only finished .xml files are sent.
    for file in "$LOCAL_OUTBOUND"/*.xml; do
        [[ -f $file && ! -L $file ]] || continue
        if upload_one "$file"; then
            mv -- "$file" "$LOCAL_SENT/"
        else
            echo "gdsn-sftp-mirror: upload of $file failed; kept for the next run" >&2
            status=1
        fi
    done
}

status=0
# One run at a time per connection, even when started by hand next to the timer.
exec 9>"${LOCAL_INBOX%/}/../.gdsn-sftp-mirror.lock"
flock --nonblock 9 || { echo "gdsn-sftp-mirror: another run is active" >&2; exit 0; }
download || { echo "gdsn-sftp-mirror: download failed" >&2; status=1; }
upload
exit "$status"
