//! Builds policy crates into policy modules: `cargo build` for
//! `wasm32-unknown-unknown` with the settings a one-call instance wants, then
//! the core module turned into a component of the `boomgate:policy` world.
//!
//! Used by `boomgate policy build` and by the test-artifacts build script, so
//! the modules under test are built exactly as users build theirs.
//!
//! Environment:
//! - `BOOMGATE_GUEST_CARGO`: the cargo to build guests with (default `cargo`
//!   on `PATH`).
//! - `BOOMGATE_GUEST_BUILD_STD=1`: build the standard library from source
//!   (`-Zbuild-std`), for toolchains without a prebuilt wasm32 standard library
//!   such as Debian's `rustc-web`; `BOOMGATE_GUEST_LINKER` names the linker
//!   (`wasm-ld-19` there).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The target policies are built for.
pub const TARGET: &str = "wasm32-unknown-unknown";

/// The shadow stack a policy gets. Rust's default is 1 MiB, laid out before
/// the data: a fresh instance would then start with 17 pages of memory that
/// the host resets after every call. A policy decides with a few kilobytes
/// of stack; 32 KiB leaves the rest of the first two pages (with the data)
/// for the heap, so a decision neither grows memory nor touches more than a
/// handful of pages.
pub const STACK_BYTES: u32 = 32 * 1024;

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    #[error("`{0}` has no Cargo.toml")]
    NotACrate(PathBuf),
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("`cargo metadata` failed for `{manifest}`:\n{stderr}")]
    Metadata { manifest: PathBuf, stderr: String },
    #[error("`{manifest}` has no library target; a policy crate is a library")]
    NoLibrary { manifest: PathBuf },
    #[error("building `{package}` for {TARGET} failed (see the compiler output above)")]
    Cargo { package: String },
    #[error("cannot read the built module `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{0}` is already a component; a core module was expected")]
    AlreadyComponent(PathBuf),
    #[error("cannot turn the core module into a component: {0:#}")]
    Componentize(anyhow::Error),
}

/// A policy crate to build.
#[derive(Debug, Clone)]
pub struct Build {
    manifest: PathBuf,
    target_dir: Option<PathBuf>,
    quiet: bool,
}

impl Build {
    /// The crate in `crate_dir` (the folder holding its `Cargo.toml`).
    pub fn new(crate_dir: &Path) -> Result<Self, BuildError> {
        let manifest = crate_dir.join("Cargo.toml");
        if !manifest.is_file() {
            return Err(BuildError::NotACrate(crate_dir.to_owned()));
        }
        Ok(Build {
            manifest,
            target_dir: None,
            quiet: false,
        })
    }

    /// Builds into `dir` instead of the crate's own target folder.
    pub fn target_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.target_dir = Some(dir.into());
        self
    }

    /// Passes `--quiet` to cargo.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// Builds the crate and returns the component's bytes.
    pub fn run(&self) -> Result<Vec<u8>, BuildError> {
        let (package, lib_name, default_target_dir) = self.metadata()?;
        let target_dir = self.target_dir.clone().unwrap_or(default_target_dir);
        let mut cargo = guest_cargo();
        cargo
            .arg("build")
            .arg("--manifest-path")
            .arg(&self.manifest)
            .args(["--lib", "--release", "--target", TARGET])
            .arg("--target-dir")
            .arg(&target_dir);
        for config in guest_config() {
            cargo.arg("--config").arg(config);
        }
        if std::env::var_os("BOOMGATE_GUEST_BUILD_STD").is_some_and(|v| v == "1") {
            cargo
                .args(["-Zbuild-std=std,panic_abort"])
                .env("RUSTC_BOOTSTRAP", "1");
            if let Some(linker) = std::env::var_os("BOOMGATE_GUEST_LINKER") {
                cargo.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", linker);
            }
        }
        if self.quiet {
            cargo.arg("--quiet");
        }
        let status = cargo.status().map_err(|source| BuildError::Spawn {
            program: "cargo".into(),
            source,
        })?;
        if !status.success() {
            return Err(BuildError::Cargo { package });
        }
        let core = target_dir
            .join(TARGET)
            .join("release")
            .join(format!("{lib_name}.wasm"));
        let bytes = std::fs::read(&core).map_err(|source| BuildError::Read {
            path: core.clone(),
            source,
        })?;
        componentize(&bytes).map_err(|e| match e {
            BuildError::AlreadyComponent(_) => BuildError::AlreadyComponent(core),
            other => other,
        })
    }

    /// The package name, its library's file stem and its default target
    /// folder, from `cargo metadata`.
    fn metadata(&self) -> Result<(String, String, PathBuf), BuildError> {
        let output = guest_cargo()
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--manifest-path",
            ])
            .arg(&self.manifest)
            .output()
            .map_err(|source| BuildError::Spawn {
                program: "cargo metadata".into(),
                source,
            })?;
        let fail = |stderr: String| BuildError::Metadata {
            manifest: self.manifest.clone(),
            stderr,
        };
        if !output.status.success() {
            return Err(fail(String::from_utf8_lossy(&output.stderr).into_owned()));
        }
        let meta: serde_json::Value =
            serde_json::from_slice(&output.stdout).map_err(|e| fail(e.to_string()))?;
        let manifest = self
            .manifest
            .canonicalize()
            .unwrap_or_else(|_| self.manifest.clone());
        let package = meta["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| {
                p["manifest_path"]
                    .as_str()
                    .is_some_and(|m| Path::new(m).canonicalize().ok().as_deref() == Some(&manifest))
            })
            .ok_or_else(|| fail("the crate is not in its own metadata".into()))?;
        let name = package["name"].as_str().unwrap_or_default().to_owned();
        let lib = package["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "cdylib" || k == "lib"))
            })
            .and_then(|t| t["name"].as_str())
            .ok_or_else(|| BuildError::NoLibrary {
                manifest: self.manifest.clone(),
            })?;
        let target_dir = PathBuf::from(meta["target_directory"].as_str().unwrap_or("target"));
        Ok((name, lib.replace('-', "_"), target_dir))
    }
}

/// The `--config` values of a guest build: a release profile tuned for small,
/// fast modules and a small shadow stack, whatever the crate's own profile.
fn guest_config() -> Vec<String> {
    vec![
        "profile.release.opt-level=3".into(),
        "profile.release.lto=true".into(),
        "profile.release.codegen-units=1".into(),
        "profile.release.panic=\"abort\"".into(),
        "profile.release.debug=false".into(),
        "profile.release.strip=\"debuginfo\"".into(),
        format!("target.{TARGET}.rustflags=[\"-C\", \"link-arg=-zstack-size={STACK_BYTES}\"]"),
    ]
}

/// A cargo command with a clean environment: a build script's variables
/// (`RUSTFLAGS`, `CARGO_TARGET_DIR`, `CARGO_CFG_*`, ...) must not leak into
/// the guest build.
fn guest_cargo() -> Command {
    let program: OsString =
        std::env::var_os("BOOMGATE_GUEST_CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(program);
    cmd.env_clear();
    const KEEP: &[&str] = &[
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "RUSTUP_TOOLCHAIN",
        "TMPDIR",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
        "CARGO_NET_OFFLINE",
        "CARGO_REGISTRIES_CRATES_IO_PROTOCOL",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "TERM",
    ];
    for key in KEEP {
        if let Some(value) = std::env::var_os(key) {
            cmd.env(key, value);
        }
    }
    cmd
}

/// Turns a core module built with the rules SDK into a component.
pub fn componentize(core: &[u8]) -> Result<Vec<u8>, BuildError> {
    if wasmparser::Parser::is_component(core) {
        return Err(BuildError::AlreadyComponent(PathBuf::new()));
    }
    wit_component::ComponentEncoder::default()
        .module(core)
        .and_then(|encoder| encoder.validate(true).encode())
        .map_err(BuildError::Componentize)
}
