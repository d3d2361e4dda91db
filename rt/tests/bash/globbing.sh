# Pathname expansion over a directory of our own: * ? [...] classes, dotfiles, nullglob, failglob, globstar,
# extglob, nocaseglob, GLOBIGNORE; patterns in case, [[ ]] and parameter expansion.
export LC_ALL=C
d=$(mktemp -d "${TMPDIR:-/tmp}/glob.XXXXXX")
cd "$d" || exit 99
for f in a.txt b.txt c.log ab.txt abc.txt B.TXT .hidden .hidden.txt 'sp ace.txt' x1 x2 x10 '[lit]'; do : > "$f"; done
/usr/bin/mkdir -p sub/deeper/deepest sub2
: > sub/s.txt; : > sub/deeper/d.txt; : > sub/deeper/deepest/e.txt; : > sub2/t.log
show() { echo "$1: $(printf '[%s]' "${@:2}")"; }
show '*' *
show '*.txt' *.txt
show '?.txt' ?.txt
show '??.txt' ??.txt
show '[ab]*' [ab]*
show '[!ab]*' [!ab]*
show '[^a]*.txt' [^a]*.txt
show 'x[0-9]' x[0-9]
show 'x[[:digit:]]*' x[[:digit:]]*
show '[[:upper:]]*' [[:upper:]]*
show '*/' */
show '*/*' */*
show '\[lit\]' \[lit\]
show 'sp*' sp*
show 'nomatch*' nomatch*
shopt -s nullglob; show 'nullglob nomatch*' nomatch*; shopt -u nullglob
shopt -s failglob; ( echo nomatch* ) 2>/dev/null; echo "failglob -> $?"; shopt -u failglob
show '.*' .*
shopt -s dotglob; show 'dotglob *' *; shopt -u dotglob
shopt -s globstar; show '**/*.txt' **/*.txt; show 'sub/**' sub/**; shopt -u globstar
show 'no globstar **/*.txt' **/*.txt
shopt -s extglob
show '@(a|b).txt' @(a|b).txt
show '!(*.txt)' !(*.txt)
show '+(x)[0-9]*' +(x)[0-9]*
show '*(ab)c.txt' *(ab)c.txt
show '?(a)b.txt' ?(a)b.txt
shopt -u extglob
shopt -s nocaseglob; show 'nocase b.txt' b.txt; shopt -u nocaseglob
GLOBIGNORE='*.log:x*'; show 'GLOBIGNORE *' *; unset GLOBIGNORE
set -f; show 'set -f' *.txt; set +f
q='*.txt'; show 'quoted var' "$q"; show 'unquoted var' $q
arr=(*.log); echo "array from glob: ${#arr[@]} ${arr[*]}"
for f in *.txt; do [[ -e $f ]] && n=$((n + 1)); done; echo "loop saw $n files"
match() { case $1 in *.txt) echo "$1: text";; [xX]+([0-9])) echo "$1: numbered";; \[*) echo "$1: bracket";; *) echo "$1: other";; esac; }
shopt -s extglob
for f in a.txt x10 '[lit]' c.log; do match "$f"; done
[[ abc.txt == a*.txt ]] && echo "[[ == ]] pattern matches"
[[ abc.txt == "a*.txt" ]] || echo "[[ == ]] quoted pattern is literal"
p=path/to/file.tar.gz
echo "${p##*/} ${p%%.*} ${p%.*} ${p#*/} ${p/t?/XX} ${p//[aeiou]/_}"
cd / && /usr/bin/rm -rf "$d"
exit 0
