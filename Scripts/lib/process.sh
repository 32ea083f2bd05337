# pid_running PID: whether PID is a live process, not gone and not a zombie. A process started
# with nohup and disowned is reaped by init, and this kind of machine's init reaps orphans only
# every ~2 s: until then kill -0 still succeeds on the zombie.
pid_running() {
    kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# terminate_pids GRACE PID… : SIGTERM every pid, wait up to GRACE seconds for all of them, then
# SIGKILL whichever is still running (naming it on stderr).
terminate_pids() {
    local grace="$1" pid deadline
    shift
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$((SECONDS + grace))
    for pid in "$@"; do
        while pid_running "$pid" && ((SECONDS < deadline)); do
            sleep 0.2
        done
        if pid_running "$pid"; then
            printf 'warning: pid %s still running after %ss; sending SIGKILL\n' "$pid" "$grace" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}
