//! Real programs from Debian's arm64 corpus (busybox-static, bash-static; `scripts/setup-test-deps.sh` unpacks
//! them into `${ELFRUN_CORPUS:-~/.cache/elfrun-corpus}/root/bin`), run under elfrun and qemu-aarch64-static with
//! stdout and exit status compared.

mod common;

use std::path::PathBuf;

use common::{corpus, same_as_qemu, status};

fn scratch(name: &str, contents: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("corpus");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn busybox_echo_md5sum_sort() {
    let bb = corpus("busybox");
    let o = same_as_qemu(&bb, &["echo", "hi"], &[]);
    assert_eq!(o.stdout, b"hi\n");
    let f = scratch("fruit.txt", "banana\napple\ncherry\napple\n");
    let o = same_as_qemu(&bb, &["md5sum", &f], &[]);
    // md5sum of the file as computed by the host's coreutils.
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("763c338aa6f038f8ef266c493c28b213"),
        "{o:?}"
    );
    let o = same_as_qemu(&bb, &["sort", "-u", &f], &[]);
    assert_eq!(o.stdout, b"apple\nbanana\ncherry\n");
    let o = same_as_qemu(&bb, &["ls", "/nonexistent-dir"], &[]);
    assert_eq!(status(&o), 1);
}

#[test]
fn busybox_sh_loop() {
    let bb = corpus("busybox");
    let o = same_as_qemu(
        &bb,
        &[
            "sh",
            "-c",
            "i=0; while [ $i -lt 100 ]; do i=$((i+1)); done; echo $i",
        ],
        &[],
    );
    assert_eq!(o.stdout, b"100\n");
    let o = same_as_qemu(&bb, &["sh", "-c", "exit 3"], &[]);
    assert_eq!(status(&o), 3);
}

#[test]
fn bash_functions_arithmetic_arrays_printf() {
    let bash = corpus("bash-static");
    let script = r#"
        f() { echo "f:$1:$(( $2 * 3 ))"; }
        a=(x y z); a+=(w)
        for i in "${!a[@]}"; do f "${a[$i]}" "$i"; done
        printf '%05.1f|%-4s|%x|%s\n' 3.14159 ab 255 "${a[*]}"
        declare -A m; m[k]=v; echo "${m[k]}" "${#a[@]}"
        s=hello; echo "${s^^}" "${s:1:3}" "${#s}"
        fib() { local n=$1; if (( n < 2 )); then echo $n; else echo $(( $(fib $((n-1))) + 0 )) >/dev/null; echo $n; fi; }
        n=0; for ((k=1; k<=50; k++)); do (( n += k*k )); done; echo $n
        exit 7
    "#;
    // Command substitution forks; keep it out (`fib` is defined, not called).
    let o = same_as_qemu(&bash, &["-c", script], &[]);
    assert_eq!(status(&o), 7);
    assert!(String::from_utf8_lossy(&o.stdout).contains("42925\n"));
}
