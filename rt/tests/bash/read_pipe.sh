# read from pipes: field splitting, IFS, -r, -d, -n, -N, -a, -u, mapfile/readarray, partial last line.
printf 'a b\nc d\n' | while read x y; do echo "x=$x y=$y"; done
printf 'one two three four\n' | { read -r a b; echo "a=$a rest=$b"; }
printf '  lead and trail  \n' | { read -r l; echo "[$l]"; }
printf '  lead and trail  \n' | { IFS= read -r l; echo "[$l]"; }
printf 'back\\slash\\\ncontinued\n' | { read l; echo "without -r: [$l]"; }
printf 'back\\slash\n' | { read -r l; echo "with -r: [$l]"; }
printf 'x:y::z\n' | { IFS=: read -r p q r s; echo "p=$p q=$q r=[$r] s=$s"; }
printf 'no newline at end' | { read -r l; echo "status $? value [$l]"; }
printf '' | { read -r l; echo "empty input status $?"; }
printf 'a\0b c\0last' | while IFS= read -r -d '' item; do echo "nul item [$item]"; done
printf 'x\0y\0' | { IFS= read -r -d '' first; echo "first nul field [$first]"; }
printf 'k1=v1;k2=v2;' | while IFS='=' read -r -d ';' k v; do echo "$k -> $v"; done
printf 'abcdefgh' | { read -r -n 3 c1; read -r -n 3 c2; read -r c3; echo "$c1|$c2|$c3"; }
printf 'ab\ncd' | { read -r -N 4 c; echo "-N 4: [${c//$'\n'/\\n}]"; }
printf 'w1 w2  w3\n' | { read -r -a arr; echo "${#arr[@]}: ${arr[*]}"; }
printf 'l1\nl2\n\nl4\n' | { mapfile -t lines; echo "mapfile ${#lines[@]}: ${lines[*]}"; echo "third is empty: [${lines[2]}]"; }
printf 'l1\nl2\n' | { mapfile lines; printf '%q\n' "${lines[0]}"; }
printf '%s\n' {1..10} | { mapfile -s 2 -n 3 part; echo "skip 2 take 3: ${part[*]//$'\n'/}"; }
printf 'a,b,c,' | { readarray -d , -t parts; echo "readarray -d: ${#parts[@]} ${parts[*]}"; }
printf '%s\n' one two three | { mapfile -t -O 1 arr; echo "origin 1: [${arr[0]-}] ${arr[1]} ${arr[3]}"; }
collect() { got+="($2:$1)"; }
printf '%s\n' p q r s | { got=; mapfile -t -C collect -c 2 arr; echo "callback: $got"; }
printf 'first\nsecond\n' | { exec 3<&0; read -r -u 3 a; read -r -u 3 b; echo "read -u 3: $a $b"; }
printf 'line1\nline2\nline3\n' | { n=0; while read -r l; do (( n++ )); done; echo "counted $n"; }
for ((i = 0; i < 5000; i++)); do echo "$i"; done | { s=0; while read -r v; do (( s += v )); done; echo "sum of 5000 lines $s"; }
printf 'abc' | { read -r -d '' v; echo "read -d '' at EOF -> $? [$v]"; }
printf 'prompt test\n' | { read -r -p 'ignored prompt (stdin not a tty): ' v 2>/dev/null; echo "$v"; }
printf '5 6\n' | { read -r a b; echo $(( a * b )); }
printf 'tab\tsep\tfields\n' | { IFS=$'\t' read -r f1 f2 f3; echo "$f3/$f2/$f1"; }
printf 'ignored\n' | { read; echo "REPLY=[$REPLY]"; }
printf 'xyz\n' | { read -r -t 5 v; echo "read -t with data -> $? $v"; }
d=$(mktemp -d "${TMPDIR:-/tmp}/read.XXXXXX"); /usr/bin/mkfifo "$d/fifo"
exec 3<> "$d/fifo"
read -r -t 0 -u 3; echo "read -t 0 with no data -> $?"
read -r -t 0.1 -u 3 v; echo "read -t 0.1 times out -> $? [$v]"
printf 'partial' >&3
read -r -t 0.1 -u 3 v; echo "timeout with a partial line -> $? [$v]"
echo ' line' >&3
read -r -t 0 -u 3; echo "read -t 0 with data -> $?"
read -r -t 1 -u 3 v; echo "read -t 1 with data -> $? [$v]"
exec 3>&-
/usr/bin/rm -rf "$d"
exit 0
