# terminate_pids GRACE PID… : SIGTERM every pid, wait up to GRACE seconds for all of them, then
# SIGKILL whichever is still running (naming it on stderr).
terminate_pids() {
    local grace="$1" pid deadline
    shift
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$((SECONDS + grace))
    for pid in "$@"; do
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            printf 'warning: pid %s still running after %ss; sending SIGKILL\n' "$pid" "$grace" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}
