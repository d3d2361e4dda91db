# Command substitution: forms, nesting, newline stripping, status, word splitting, volume.
echo "simple: $(echo hello)"
echo "backquotes: `echo old style`"
echo "nested: $(echo "a $(echo "b $(echo c)")")"
echo "trailing newlines stripped: [$(printf 'x\n\n\n')]"
echo "inner newlines kept: [$(printf 'a\n\nb')]"
x=$(false); echo "status of x=\$(false): $?"
x=$(exit 7); echo "status of x=\$(exit 7): $?"
echo "$(exit 3)" >/dev/null; echo "status after echo: $?"
words=$(echo "one   two three"); set -- $words; echo "unquoted splits into $# words"
set -- "$words"; echo "quoted stays $# word"
echo "arith: $(( $(echo 6) * $(echo 7) ))"
f() { echo "from function $1"; return 4; }
r=$(f arg); echo "$r (status $?)"
g() { local out; out=$(f inner); echo "g got: $out"; }
g
echo "builtin in subst: $(type -t echo) $(printf '%s-' a b c)"
echo "var changes do not leak: $(v=inside; echo $v) v=${v-unset}"
echo "cd does not leak: $(cd /usr; pwd) $(cd /; pwd)"
echo "stderr not captured: $(echo visible; echo hidden >&2)" 2>/dev/null
echo "2>&1 inside: $(echo err-msg 2>&1 >&2)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cmdsubst.XXXXXX")
printf 'file contents\nline two\n' > "$tmp/f"
echo "from file: $(<"$tmp/f")"
echo "lines: $(while read -r l; do echo -n "<$l>"; done < "$tmp/f")"
big=$(for ((i = 0; i < 3000; i++)); do echo "line number $i"; done)
echo "big output: ${#big} chars, last: ${big##*$'\n'}"
huge=$(printf '%0200000d' 0); echo "huge: ${#huge}"
echo "case in subst: $(case x in x) echo matched ;; esac)"
echo "comment in subst: $(echo a # comment
)"
echo "quotes: $(echo "it's \"quoted\"")"
n=0; for w in $(printf '%s\n' a b c d); do (( n++ )); done; echo "loop over subst: $n"
echo "subst in here-string: $(cat <<< "$(echo via here-string)")"
echo "pid in subst equals \$\$: $( [[ $$ == $(echo $$) ]] && echo yes )"
echo "BASHPID differs: $( [[ $BASHPID != $(echo $BASHPID) ]] && echo yes )"
/usr/bin/rm -rf "$tmp"
exit 2
