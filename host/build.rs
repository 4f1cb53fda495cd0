//! Builds the policies the service ships with (the standard lot, the app
//! parking-pass lot) from `rules/`, so `boomgate serve` on a fresh machine
//! has the standard policy ready without a separate build step.

use std::fmt::Write as _;
use std::path::PathBuf;

const SHIPPED: &[&str] = &["standard-lot", "pass-lot"];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.join("..").canonicalize().unwrap();
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let guest_target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("guests");
    for dir in ["rules", "rules-sdk", "wit", "toolchain"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    println!("cargo:rerun-if-env-changed=BOOMGATE_GUEST_CARGO");
    println!("cargo:rerun-if-env-changed=BOOMGATE_GUEST_BUILD_STD");

    let mut consts = String::from(
        "/// The policies shipped with the service: name and component.\npub const SHIPPED: &[(&str, &[u8])] = &[\n",
    );
    for name in SHIPPED {
        let component = boomgate_toolchain::Build::new(&root.join("rules").join(name))
            .unwrap_or_else(|e| panic!("{e}"))
            .target_dir(&guest_target)
            .quiet(true)
            .run()
            .unwrap_or_else(|e| panic!("building `rules/{name}`: {e}"));
        let path = out_dir.join(format!("{name}.wasm"));
        std::fs::write(&path, component).unwrap();
        writeln!(
            consts,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    consts.push_str("];\n");
    std::fs::write(out_dir.join("shipped.rs"), consts).unwrap();
}
