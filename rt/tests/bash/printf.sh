# printf: conversions, widths, precision, flags, reuse of the format, escapes, %q, %b, -v, %(...)T, errors.
printf '%d %i %o %x %X %u\n' 255 -255 8 255 255 42
printf '[%5d] [%-5d] [%05d] [%+d] [% d]\n' 42 42 42 42 42
printf '[%s] [%10s] [%-10s] [%.3s]\n' str str str string
printf '[%*d] [%-*d] [%.*f]\n' 6 1 6 2 3 3.14159
printf '%f %.2f %e %.3E %g %G\n' 3.5 2.675 12345.678 0.000123 100000 1e-10
printf '%a\n' 1 2>/dev/null || echo "%a unsupported"
printf '%c%c%c\n' abc def ghi
printf '%s-' a b c d e; echo
printf '%s=%s\n' k1 v1 k2 v2 k3
printf 'no args: [%s] [%d]\n'
printf '%%literal percent\n'
printf 'esc: tab[\t] bs[\\] oct[\101] hex[\x42] nl\n'
printf '%b\n' 'b-escapes: \t|\x41|\0102|\c stops here'
printf '%q\n' 'has space' "it's" 'a$b' $'tab\there' '' 'plain'
printf '%d\n' "'A" '"B'
printf '%d %d\n' 0x1f 017
printf '%x\n' -1
printf '%d\n' 9223372036854775807
printf '%u\n' -1
printf '%.0f %.0f %.0f\n' 0.5 1.5 2.5
printf '%5.1f|%-8.3e|\n' -3.14159 1234.5
printf -v out '%s:%d' name 7; echo "printf -v: $out"
printf -v arr[2] '%03d' 5; echo "into array: ${arr[2]}"
printf '%(%Y-%m-%d %H:%M:%S)T\n' 0
printf '%(%s)T\n' 1700000000
printf '%(%j %a %b)T\n' 86400
printf '%d\n' abc 2>/dev/null; echo "invalid number -> $?"
printf '%d\n' 12abc 2>/dev/null; echo "trailing junk -> $?"
printf '%z\n' 2>/dev/null; echo "bad conversion -> $?"
printf -- '--dashes\n'
printf '%s\n' "$(printf '%s,' {1..5})"
printf '%5s|%-5s|%.1s\n' αβ αβ αβ
printf '\u0041\n'
printf '%i%%\n' 50
printf '%s\n' "${BASH_VERSINFO[0]}"
exit 0
