# Pipelines: builtins and functions in stages, PIPESTATUS, pipefail, negation, |&, lastpipe, SIGPIPE, volume.
up() { while IFS= read -r l; do echo "${l^^}"; done; }
num() { local n=0; while IFS= read -r l; do echo "$((++n)): $l"; done; }
printf '%s\n' alpha beta gamma | up | num

true | false | true; echo "PIPESTATUS: ${PIPESTATUS[*]}"
(exit 3) | (exit 4) | (exit 0); echo "PIPESTATUS: ${PIPESTATUS[*]} status=$?"
set -o pipefail
(exit 3) | (exit 4) | true; echo "pipefail status=$?"
true | (exit 5) | true; echo "pipefail status=$?"
set +o pipefail
! true; echo "! true -> $?"
! false | false; echo "! pipeline -> $?"

{ echo to-stdout; echo to-stderr >&2; } |& while read -r l; do echo "got: $l"; done

x=unset-before
echo value | read -r x; echo "without lastpipe: x=$x"
shopt -s lastpipe
echo value | read -r x; echo "with lastpipe: x=$x"
shopt -u lastpipe

# The writer keeps writing after the reader has gone: it dies of SIGPIPE (status 141).
while :; do echo y; done | { read -r l; echo "first line: $l"; }
echo "writer/reader status: ${PIPESTATUS[*]}"

# Some volume: 20000 lines through three stages.
for ((i = 0; i < 20000; i++)); do echo "line $i"; done | { c=0; while read -r _ n; do (( c += n )); done; echo "sum $c"; } | cat
big=$(printf '%0100000d' 0 | { IFS= read -r s; echo ${#s}; })
echo "read 100000 bytes back: $big"

# Pipelines inside functions, loops and conditions.
count() { local c=0; while read -r _; do (( c++ )); done; echo $c; }
for n in 1 5 9; do seqn() { for ((j = 0; j < $1; j++)); do echo $j; done; }; echo "n=$n -> $(seqn $n | count)"; done
if printf 'abc\n' | { read -r v; [[ $v == abc ]]; }; then echo "condition on pipeline ok"; fi
printf '%s\n' 3 1 2 | while read -r v; do echo "item $v"; done | num
coproc UPPER { while IFS= read -r l; do echo "${l^^}"; done; }
echo "coproc has two fds: ${#UPPER[@]}"
for w in one two three; do echo "$w" >&"${UPPER[1]}"; IFS= read -r r <&"${UPPER[0]}"; echo "coproc answered $r"; done
exec {UPPER[1]}>&-
wait $UPPER_PID; echo "coproc status $?"
# bash closes an ended coproc's descriptors when it next reaps children, which on a loaded machine came after
# the next coproc took the same numbers ("Bad file descriptor"): let that happen first.
/bin/sleep 0.2
coproc { echo from-coproc; exit 3; }
IFS= read -r r <&"${COPROC[0]}"; echo "$r"; wait $COPROC_PID; echo "unnamed coproc status $?"
echo "the end" | cat | cat | cat
exit 0
