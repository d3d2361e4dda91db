# Traps: EXIT, signals sent to self, ERR (with set -E), RETURN, DEBUG, ignored signals, traps in subshells.
trap 'echo "EXIT trap runs last, status $?"' EXIT
trap 'echo "USR1 trap"' USR1
kill -USR1 $$
echo "after kill -USR1"
trap 'echo "USR2 trap #$((++n2))"' USR2
n2=0; kill -USR2 $$; kill -USR2 $$; kill -s USR2 $$
echo "USR2 count $n2"
trap 'echo "HUP trap"; hup=1' HUP
kill -HUP $$; echo "hup=$hup"
trap - HUP
trap -p USR1
trap -p HUP; echo "HUP trap removed"
trap '' TERM
kill -TERM $$; echo "ignored TERM survived"
( kill -TERM $BASHPID; echo "ignored TERM is inherited by subshells" )
trap - TERM
( kill -TERM $BASHPID; echo not reached ); echo "default TERM in subshell -> $?"
( trap 'echo "subshell USR1"; exit 11' USR1; kill -USR1 $BASHPID; echo not reached ); echo "subshell trap exit -> $?"
( trap 'echo "subshell EXIT trap"' EXIT; exit 6 ); echo "subshell exit -> $?"
( echo "parent's USR1 trap reset in subshell: [$(trap -p USR1)]" )
echo "trap -p in cmdsubst: $(trap -p USR1)"

trap 'echo "ERR trap: status $? line $LINENO"' ERR
false
(exit 4)
if false; then :; fi; echo "no ERR in an if condition"
false || echo "no ERR in || list"
f() { false; echo "in f after false"; }
f
set -E
f
set +E
trap - ERR

trap 'echo "RETURN from ${FUNCNAME[0]}"' RETURN
g() { :; }
set -T; g; set +T
trap - RETURN

trap 'echo "DEBUG before: $BASH_COMMAND"' DEBUG
x=1
y=2
trap - DEBUG

trap 'echo "INT trap"' INT
kill -INT $$; echo "after INT"
trap 'echo "ALRM trap"' ALRM
kill -ALRM $$
trap 'echo "in USR1 handler, sending USR2"; kill -USR2 $$; echo "USR1 handler done"' USR1
kill -USR1 $$; echo "after nested traps"
for s in 1 2 3; do kill -USR2 $$; done; echo "USR2 count now $n2"
trap 'echo "RTMIN+1 trap"' RTMIN+1
kill -s RTMIN+1 $$; echo "after RTMIN+1"
trap 'echo "QUIT trap"' QUIT
kill -QUIT $$
kill -l 10 15 2; kill -l SIGCHLD
kill -0 $$ && echo "kill -0 on self succeeds"
# A trapped signal interrupts the wait builtin (status 128 + signal). The sender repeats until the parent has
# seen it, so it does not matter whether the first one arrives before the wait starts.
d=$(mktemp -d "${TMPDIR:-/tmp}/traps.XXXXXX"); /usr/bin/mkfifo "$d/fifo"
trap 'got_usr1=1' USR1
{ read -r _ < "$d/fifo"; exit 5; } & blocked=$!
( while kill -USR1 $$ 2>/dev/null; do /bin/sleep 0.05; done ) & sender=$!
got_usr1=0; st=0
while (( got_usr1 == 0 || st == 0 )); do wait $blocked; st=$?; done
kill $sender; wait $sender 2>/dev/null
echo "wait interrupted by USR1 -> $st"
echo release > "$d/fifo"; wait $blocked; echo "blocked job -> $?"
/usr/bin/rm -rf "$d"
trap - USR1
trap 'echo "CHLD trap"' CHLD
( exit 0 ) & wait $!
trap - CHLD
sleep_status=$( (trap 'exit 42' TERM; kill -TERM $BASHPID; /bin/sleep 5); echo $?); echo "TERM trap exit in subshell -> $sleep_status"
exit 3
