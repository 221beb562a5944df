// The build script of the two programs (certvault, certvault-gui): records the commit they
// are built from as CERTVAULT_COMMIT, for `--version` and the window's footer, so a clinic's
// vendor can tell which source a program came from (docs/release.md).
//
// tools/release.sh passes the commit in the environment (CERTVAULT_COMMIT). Otherwise git is
// asked, and the build reruns when the checkout moves to another commit; without git (a source
// archive) the commit is "unknown".
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=CERTVAULT_COMMIT");
    let given = std::env::var("CERTVAULT_COMMIT").ok().filter(|c| !c.trim().is_empty());
    let commit = given.or_else(|| {
        // HEAD, the branch it names and packed refs: whichever moves on a commit or checkout.
        for path in ["HEAD", "packed-refs"] {
            if let Some(p) = git(&["rev-parse", "--git-path", path]) {
                println!("cargo:rerun-if-changed={p}");
            }
        }
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            if let Some(p) = git(&["rev-parse", "--git-path", &branch]) {
                println!("cargo:rerun-if-changed={p}");
            }
        }
        git(&["rev-parse", "--short=12", "HEAD"])
    });
    println!("cargo:rustc-env=CERTVAULT_COMMIT={}", commit.as_deref().unwrap_or("unknown"));
}
