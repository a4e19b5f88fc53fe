# Sourced by the scripts that start a background process which announces
# itself by writing a file (a port, a display number).

# wait_for_file FILE PID WHAT: waits up to 10 s for FILE to be non-empty,
# failing early if process PID exits; WHAT names the process in the error.
wait_for_file() {
  local file=$1 pid=$2 what=$3
  for _ in $(seq 1 100); do
    [ -s "$file" ] && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$what exited" >&2; return 1; }
    sleep 0.1
  done
  [ -s "$file" ] || { echo "$what did not start" >&2; return 1; }
}
