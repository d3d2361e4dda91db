# Redirections: > >> < <> 2>&1 >&- <&- exec fd juggling, {fd}>, noclobber, &>, /dev/fd, process substitution.
d=$(mktemp -d "${TMPDIR:-/tmp}/redir.XXXXXX")
cd "$d" || exit 99
echo first > f; echo second >> f; echo third >> f
echo "f: $(<f)"
while read -r l; do echo "read: $l"; done < f
echo truncated > f; echo "after >: $(<f)"
{ echo out; echo err >&2; } > both 2>&1; echo "2>&1: $(<both)"
{ echo out; echo err >&2; } 2>&1 > only-out | while read -r l; do echo "pipe got: $l"; done; echo "file got: $(<only-out)"
{ echo a; echo b >&2; } &> amp; echo "&>: $(<amp)"
{ echo c; } &>> amp; echo "&>>: $(<amp)"
echo data > rw
exec 3<> rw
read -r w <&3; echo "read via <>: $w"
echo appended >&3
exec 3>&-
echo "rw now: $(<rw)"
exec 4> fd4; echo "to fd 4" >&4; echo "more to fd 4" >&4; exec 4>&-; echo "fd4: $(<fd4)"
exec {myfd}> named; echo "first {fd} is $myfd"; echo "via named fd" >&$myfd
exec {second}> named2; echo "second {fd} is $second"
exec {myfd}>&- {second}>&-; echo "named: $(<named)"
echo "closed fd write: $( { echo x >&$myfd; } 2>/dev/null; echo $?)"
exec 5< f; exec 6<&5; exec 5<&-; read -r l <&6; echo "dup'd fd 6: $l"; exec 6<&-
read -r l <&- 2>/dev/null; echo "read with stdin closed -> $?"
echo "write with stdout closed -> $( { echo x >&-; } 2>/dev/null; echo $?)"
set -o noclobber
echo no > f 2>/dev/null; echo "noclobber > -> $?"
echo yes >| f; echo "noclobber >| -> $? $(<f)"
set +o noclobber
cat < /dev/null; echo "empty from /dev/null: $?"
echo discard > /dev/null; echo "to /dev/null: $?"
echo "via /dev/fd/1" >> /dev/fd/1
exec 7> viafd; echo "via /dev/fd/7" > /dev/fd/7; exec 7>&-; echo "viafd: $(<viafd)"
echo "swap: $( { { echo to-err >&2; echo to-out; } 3>&1 1>&2 2>&3; } 2>/dev/null)"
echo "missing file: $( { cat < /nonexistent/file; } 2>/dev/null; echo $?)"
echo "process substitution: $(while read -r l; do echo -n "[$l]"; done < <(printf '%s\n' p q r))"
printf '%s\n' 1 2 3 > >(while read -r l; do echo "psub out $l" >> psub; done)
wait $!
echo "psub: $(<psub)"
for i in 1 2 3; do echo "loop $i"; done > loopout; echo "loop redirected: $(<loopout)"
if true; then echo "if redirected"; fi > ifout; echo "$(<ifout)"
exec 8>&1; exec 1> saved; echo "goes to file"; exec 1>&8 8>&-; echo "stdout restored: $(<saved)"
cd / && /usr/bin/rm -rf "$d"
exit 0
