# Background jobs: & with $!, jobs listing, %job specs, kill %n, disown, background pipelines and groups.
d=$(mktemp -d "${TMPDIR:-/tmp}/jobs.XXXXXX")
/usr/bin/mkfifo "$d/hold"
# Each held job blocks until the fifo is opened for writing, so `jobs` always sees them running.
read -r _ < "$d/hold" & first=$!
{ read -r _ < "$d/hold"; } & second=$!
jobs | while read -r n state rest; do echo "$n $state"; done
jobs -p | while read -r p; do [[ $p == "$first" || $p == "$second" ]] && echo "jobs -p lists a held job"; done
kill %1; wait %1; echo "kill %1 -> $?"
jobs %2 >/dev/null && echo "%2 still exists"
kill -USR1 %2; wait $second; echo "kill -USR1 %2 -> $?"
echo "jobs now: [$(jobs)]"

# A job that has already ended when `wait %%` runs may be gone from bash's job table (127: a race in bash
# itself, seen on a loaded machine): these jobs end only after a releaser writes to the fifo, 0.3 s later.
release() { { /bin/sleep 0.3; echo release > "$d/hold"; } & }
release; { read -r _ < "$d/hold"; exit 3; } & wait %%; echo "wait %% -> $?"
release; { read -r _ < "$d/hold"; } & wait %+; echo "wait %+ -> $?"
wait
{ echo "group in background"; } > "$d/g" & wait $!; echo "$(<"$d/g")"
printf '%s\n' a b c | while read -r l; do echo "bg pipeline $l"; done > "$d/p" & wait $!
echo "$(<"$d/p") (status $?)"
(exit 5) | (exit 6) & wait $!; echo "background pipeline status -> $?"

read -r _ < "$d/hold" & held=$!
disown %1 2>/dev/null || disown $held
echo "after disown: [$(jobs)]"
wait $held 2>/dev/null; echo "wait for a disowned job -> $?"
kill $held

# With job control (set -m) the shell sees a job stop and continue; each job gets its own process group.
set -m
read -r _ < "$d/hold" & held=$!
kill -STOP $held; wait $held; echo "wait for a stopped job -> $?"
jobs | while read -r n state rest; do echo "$n $state"; done
[[ $(ps_pgid=$(</proc/$held/stat); set -- ${ps_pgid##*) }; echo $3) == "$held" ]] && echo "the job leads its own process group"
# (No `jobs` after SIGCONT: the shell learns of the continue asynchronously, from SIGCHLD. For the same
# reason `wait %1` may still find the job stopped, 147, or wait for its end, 0: which one is a race.)
kill -CONT $held
echo release > "$d/hold"; wait %1; st=$?
[[ $st == 0 || $st == 147 ]] && echo "continued job finished or still seen stopped"
[[ $st == 0 || $st == 147 ]] || echo "continued job -> $st"
set +m
for i in 1 2 3; do (exit $i) & done
# Jobs that ended before `wait` may stay in the job table (a race in bash itself): no `jobs` listing here.
wait; echo "all done -> $?"
bg_var=unchanged; { bg_var=changed; } & wait $!; echo "background group does not change the shell: $bg_var"
x=$(/bin/sleep 0.05 & echo started); echo "cmdsubst with a background job: $x"
/usr/bin/rm -rf "$d"
exit 0
