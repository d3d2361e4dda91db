# Functions: arguments, return status, local and dynamic scope, recursion, namerefs, redefinition.
greet() { echo "greet: $# args: $*"; for a in "$@"; do printf '<%s>' "$a"; done; echo; }
greet
greet one "two words" '' three

status() { return "$1"; }
status 0; echo "return 0 -> $?"
status 7; echo "return 7 -> $?"
status 300; echo "return 300 -> $?"
noreturn() { false; }
noreturn; echo "last command status -> $?"

x=global
show() { echo "show sees x=$x"; }
outer() { local x=outer-local; show; inner; echo "outer after inner: x=$x"; }
inner() { x=changed-by-inner; local y=inner-only; }
outer
echo "global x=$x y=${y-unset}"

fact() { if (( $1 <= 1 )); then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
echo "fact 10 = $(fact 10)"
fib() { local n=$1; if (( n < 2 )); then r=$n; return; fi; fib $((n-1)); local a=$r; fib $((n-2)); r=$((a + r)); }
fib 15; echo "fib 15 = $r"

depth() { echo "${FUNCNAME[*]} depth=${#FUNCNAME[@]}"; (( $1 > 0 )) && depth $(( $1 - 1 )); return 0; }
depth 2

setvar() { local -n ref=$1; ref="set through nameref"; }
setvar target; echo "target=$target"
addall() { local -n arr=$1; local s=0 v; for v in "${arr[@]}"; do (( s += v )); done; echo "sum=$s"; }
nums=(1 2 3 4 5 10); addall nums

shifty() { echo "before shift: $1"; shift 2; echo "after shift 2: $1 ($# left)"; }
shifty a b c d

f() { echo first; }; f
f() { echo redefined; }; f
declare -F f && echo "f is defined"
unset -f f
declare -F f >/dev/null || echo "f is gone"
type -t greet

function kw { echo "keyword-style function, \$0 unchanged: ${0##*/}"; }
kw
sub() ( x=in-subshell-body; echo "subshell body: $x" )
sub; echo "after subshell body: x=$x"

counter=0
incr() { (( counter++ )); }
for i in 1 2 3 4 5; do incr; done; echo "counter=$counter"

declare -f status
pipef() { while read -r l; do echo "pipef:$l"; done; }
printf '%s\n' p q | pipef
ret_in_loop() { for i in 1 2 3; do if (( i == 2 )); then return 42; fi; done; }
ret_in_loop; echo "returned from loop with $?"
local_status() { local v=$(exit 3); echo "local masks status: $?"; }
local_status
exit 4
