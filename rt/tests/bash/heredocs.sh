# Here-documents and here-strings: expansion, quoted delimiters, <<-, several at once, in functions and loops.
name=world
cat <<EOF2
hello $name
arith $((6 * 7)) subst $(echo sub)
escaped \$name and \\ backslash
  indentation kept
EOF2
cat <<'EOF2'
quoted delimiter: $name $(echo no) \n stays
EOF2
cat <<"EOF2"
double-quoted delimiter: $name
EOF2
cat <<\EOF2
backslash delimiter: $name
EOF2
	cat <<-EOF2
	tabs stripped: $name
		two tabs stripped too
	EOF2
while read -r a b; do echo "read $a/$b"; done <<EOF2
1 one
2 two
3 three
EOF2
f() { cat <<EOF2
inside function: $1
EOF2
}
f arg
for i in 1 2; do cat <<EOF2
loop $i
EOF2
done
cat <<A; cat <<B
first doc
A
second doc
B
cat <<EOF2 | while read -r l; do echo "piped: $l"; done
x
y
EOF2
read -r one <<< "here string $name"; echo "$one"
cat <<< "multi
line here-string"
IFS=: read -r p q r <<< "a:b:c"; echo "$r$q$p"
read -ra arr <<< "w1 w2 w3"; echo "${#arr[@]} words, last ${arr[2]}"
cat <<< ""; echo "empty here-string ok"
big=$(for ((i = 0; i < 2000; i++)); do echo "line $i of a long document"; done)
n=0; while read -r _; do (( n++ )); done <<EOF2
$big
EOF2
echo "long here-doc lines: $n"
cat <<EOF2 > /dev/null
to dev null
EOF2
echo "status $?"
exec 3<<EOF2
on fd three
EOF2
read -r l <&3; echo "$l"; exec 3<&-
cat <<EOF2
${name^^} ${#name} ${name/o/0}
EOF2
exit 0
