//! Builds every guest the tests need, from source, into `OUT_DIR`, and
//! writes `artifacts.rs` with a path constant for each.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.join("../..").canonicalize().unwrap();
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    // Guests get their own target folder: their profile and target differ
    // from the host build's, and a nested cargo must not wait on the lock of
    // the outer one.
    let guest_target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("guests");

    for dir in [
        "rules",
        "rules-sdk",
        "wit",
        "tests/guests",
        "tests/wat",
        "toolchain",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        root.join("Cargo.lock").display()
    );
    println!("cargo:rerun-if-env-changed=BOOMGATE_GUEST_CARGO");
    println!("cargo:rerun-if-env-changed=BOOMGATE_GUEST_BUILD_STD");

    let mut consts = String::new();
    let crates = [
        ("rules", "standard-lot"),
        ("rules", "pass-lot"),
        ("tests/guests", "hostile"),
        ("tests/guests", "bad-schema"),
        ("tests/guests", "policy-v0-1"),
    ];
    for (parent, name) in crates {
        let dir = root.join(parent).join(name);
        let component = boomgate_toolchain::Build::new(&dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .target_dir(&guest_target)
            .quiet(true)
            .run()
            .unwrap_or_else(|e| panic!("building `{}`: {e}", dir.display()));
        emit(&mut consts, &out_dir, name, &component);
    }
    let mut wats: Vec<PathBuf> = std::fs::read_dir(root.join("tests/wat"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    wats.sort();
    for path in wats {
        let bytes = wat::parse_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        emit(&mut consts, &out_dir, &name, &bytes);
    }
    std::fs::write(out_dir.join("artifacts.rs"), consts).unwrap();
}

fn emit(consts: &mut String, out_dir: &Path, name: &str, bytes: &[u8]) {
    let path = out_dir.join(format!("{name}.wasm"));
    std::fs::write(&path, bytes).unwrap();
    let ident = name.to_uppercase().replace('-', "_");
    writeln!(consts, "/// `{name}` ({} bytes).", bytes.len()).unwrap();
    writeln!(
        consts,
        "pub const {ident}: &str = {:?};",
        path.display().to_string()
    )
    .unwrap();
}
