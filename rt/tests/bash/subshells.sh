# Subshells: isolation of variables, cwd, options, traps, functions; exit status; nesting; BASHPID.
v=parent
( v=child; echo "in subshell v=$v level=$BASH_SUBSHELL" )
echo "after subshell v=$v level=$BASH_SUBSHELL"
( ( ( echo "nested level=$BASH_SUBSHELL" ) ) )
(exit 3); echo "(exit 3) -> $?"
( false ); echo "(false) -> $?"
( exit 300 ); echo "(exit 300) -> $?"
( : ); echo "(:) -> $?"

outer=$$
( if [[ $$ == "$outer" ]]; then echo "\$\$ is the parent's pid in a subshell"; fi
  if [[ $BASHPID != "$$" ]]; then echo "BASHPID differs from \$\$ in a subshell"; fi )
[[ $BASHPID == "$$" ]] && echo "BASHPID equals \$\$ at top level"

cd /; ( cd /usr && echo "subshell cwd: $PWD" ); echo "parent cwd: $PWD"
( set -e; false; echo "not reached" ); echo "set -e subshell -> $?"
( set -u; echo "${undefined_variable}" ) 2>/dev/null; echo "set -u subshell -> $?"
umask 022; ( umask 077; echo "subshell umask $(umask)" ); echo "parent umask $(umask)"
f() { echo "f in parent"; }
( f() { echo "f redefined in subshell"; }; f ); f
( unset v; echo "unset in subshell: ${v-gone}" ); echo "still set: $v"
( exec 2>/dev/null; echo "exec in subshell does not touch the parent" )
echo "stderr still open" >&2 && echo "parent stderr ok"
( echo out; echo err >&2 ) 2>&1 | while read -r l; do echo "merged: $l"; done
{ v=braces; }; echo "brace group changes the parent: $v"
a=(1 2 3); ( a+=(4); echo "subshell array: ${a[*]}" ); echo "parent array: ${a[*]}"
( trap 'echo subshell EXIT trap' EXIT; echo "in trapped subshell" )
( ( exit 9 ); echo "inner status $?"; exit $(( $? + 1 )) ); echo "outer status $?"
( kill -TERM $BASHPID; echo "not reached" ); echo "subshell killed by TERM -> $?"
( kill -KILL $BASHPID ); echo "subshell killed by KILL -> $?"
x=$( ( echo deep; exit 2 ) ); echo "cmdsubst of subshell: $x $?"
for i in 1 2 3; do ( echo "loop subshell $i"; exit $i ); echo "  status $?"; done
exit 5
