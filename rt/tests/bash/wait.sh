# wait: for one job, for all, for unknown pids, wait -n (ordered through a fifo), wait -p, exit statuses.
d=$(mktemp -d "${TMPDIR:-/tmp}/wait.XXXXXX")
# wait -n. bash races with itself here: a job that its SIGCHLD handler reaps between wait -n's look at the
# job table and its blocking waitpid is missed, and wait -n then waits for another job - forever when that one
# is blocked on the fifo (a CI run hung so, once in many). So wait -n gets a job that has ended only once the
# handler has reaped it (kill -0 fails when it is no longer a zombie) and returns it from the job table, and
# it blocks only on a job that runs for a while.
/usr/bin/mkfifo "$d/fifo"
{ read -r _ < "$d/fifo"; exit 7; } & slow=$!
(exit 8) & fast=$!
while kill -0 "$fast" 2>/dev/null; do :; done
wait -n -p who; st=$?
[[ $who == "$fast" ]] && echo "wait -n: the job that ended, status $st"
[[ $who == "$fast" ]] || echo "wait -n returned another job first, status $st"
echo go > "$d/fifo"
while kill -0 "$slow" 2>/dev/null; do :; done
wait -n -p who; st=$?
[[ $who == "$slow" ]] && echo "wait -n: then the one the fifo let go, status $st"
[[ $who == "$slow" ]] || echo "wait -n returned another job second, status $st"
/bin/sleep 0.2 & p=$!
wait -n -p who; st=$?
[[ $who == "$p" ]] && echo "wait -n for a running job, status $st"
[[ $who == "$p" ]] || echo "wait -n for a running job returned $who, status $st"
wait -n; echo "wait -n with no jobs -> $?"

/bin/sleep 0.1 & wait $!; echo "sleep job -> $?"
(exit 3) & p=$!; wait $p; echo "wait \$! -> $?"
(exit 4) & p1=$!; (exit 5) & p2=$!; (exit 6) & p3=$!
wait $p3; echo "third -> $?"; wait $p1; echo "first -> $?"; wait $p2; echo "second -> $?"
wait $p2; echo "waiting again for a reaped pid -> $?"
wait 999999 2>/dev/null; echo "wait for a pid that is not a child -> $?"
(exit 1) & (exit 2) & wait; echo "wait for all -> $?"
wait; echo "wait with no children -> $?"
( kill -TERM $BASHPID ) & wait $!; echo "job killed by TERM -> $?"
( kill -KILL $BASHPID ) & wait $!; echo "job killed by KILL -> $?"

# Several jobs writing to files, collected after wait.
for i in 1 2 3 4 5; do ( echo "job $i" > "$d/out$i"; exit $i ) & pids[i]=$!; done
for i in 5 4 3 2 1; do wait ${pids[i]}; echo "job $i -> $? $(<"$d/out$i")"; done
# wait in a subshell does not see the parent's jobs.
(exit 9) & p=$!
( wait $p 2>/dev/null; echo "subshell waiting for the parent's job -> $?" )
wait $p; echo "parent -> $?"
# A job that outlives a command substitution.
r=$( (exit 12) & wait $!; echo $? ); echo "wait inside cmdsubst -> $r"
/usr/bin/rm -rf "$d"
exit 0
