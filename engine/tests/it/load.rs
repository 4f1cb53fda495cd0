//! Modules the engine must refuse, each with a message that says why.

use boomgate_engine::{CompileLimits, EngineConfig, LoadError, Outline};
use boomgate_test_artifacts as artifacts;

use crate::ENGINE;

fn refused(bytes: &[u8]) -> LoadError {
    match ENGINE.load(bytes) {
        Err(e) => e,
        Ok(p) => panic!("loaded {}", p.info().name),
    }
}

#[test]
fn a_core_module_is_not_a_policy() {
    let e = refused(&artifacts::read(artifacts::CORE_MODULE));
    assert!(matches!(e, LoadError::CoreModule));
    assert!(
        e.to_string()
            .contains("build policies with `boomgate policy build`")
    );
}

#[test]
fn a_module_with_imports_is_refused() {
    let e = refused(&artifacts::read(artifacts::EXTRA_IMPORT));
    assert_eq!(
        e.to_string(),
        "the module imports `wasi:clocks/wall-clock@0.2.0`: a policy may import nothing"
    );
}

#[test]
fn another_interface_version_is_named() {
    let e = refused(&artifacts::read(artifacts::WRONG_VERSION));
    assert_eq!(
        e.to_string(),
        "the module implements `boomgate:policy/policy@0.9.0`; this host runs `boomgate:policy/policy@0.2.0` or `boomgate:policy/policy@0.1.0`"
    );
}

#[test]
fn a_component_without_the_interface_is_refused() {
    let e = refused(&artifacts::read(artifacts::EMPTY_COMPONENT));
    assert_eq!(
        e.to_string(),
        "the module does not export `boomgate:policy/policy@0.2.0` or `boomgate:policy/policy@0.1.0` (it exports nothing)"
    );
}

#[test]
fn wrong_function_types_are_refused() {
    let e = refused(&artifacts::read(artifacts::WRONG_SIGNATURE));
    assert!(matches!(e, LoadError::Interface(_)), "{e}");
}

#[test]
fn a_broken_settings_schema_is_refused() {
    let e = refused(&artifacts::read(artifacts::BAD_SCHEMA));
    assert!(
        e.to_string()
            .starts_with("the module's settings schema is invalid: it is not JSON"),
        "{e}"
    );
}

#[test]
fn garbage_and_truncated_modules_are_refused() {
    assert!(matches!(
        refused(b"MZ\x90\x00 not wasm"),
        LoadError::NotWasm
    ));
    let good = artifacts::read(artifacts::STANDARD_LOT);
    assert!(matches!(
        refused(&good[..good.len() / 2]),
        LoadError::Invalid(_)
    ));
}

#[test]
fn an_oversized_module_is_refused_before_compiling() {
    let limit = EngineConfig::default().max_module_bytes;
    let e = refused(&vec![0u8; limit + 1]);
    assert!(matches!(e, LoadError::TooLarge { size, .. } if size == limit + 1));
}

/// A component of `n` empty functions, the cheapest way to make a compile
/// expensive.
fn empty_functions(n: usize) -> Vec<u8> {
    let funcs = "(func)".repeat(n);
    wat::parse_str(format!("(component (core module {funcs}))")).unwrap()
}

#[test]
fn too_many_functions_are_refused_before_compiling() {
    let limit = EngineConfig::default().compile_limits.max_functions;
    let e = refused(&empty_functions(limit + 1));
    assert!(
        matches!(e, LoadError::OverLimit { setting: "max_functions", value, .. } if value == limit + 1),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "the module has {} functions, over the limit of {limit} (`max_functions`): it is not compiled",
            limit + 1
        )
    );
}

#[test]
fn imports_are_refused_before_compiling() {
    let outline = Outline::read(&artifacts::read(artifacts::EXTRA_IMPORT)).unwrap();
    assert_eq!(outline.imports, ["wasi:clocks/wall-clock@0.2.0"]);
    assert!(matches!(
        outline.check(&CompileLimits::default()),
        Err(LoadError::Imports(_))
    ));
}

#[test]
fn the_standard_policy_is_well_inside_the_compile_limits() {
    let outline = Outline::read(&artifacts::read(artifacts::STANDARD_LOT)).unwrap();
    let limits = CompileLimits::default();
    outline.check(&limits).unwrap();
    assert!(outline.imports.is_empty());
    assert!(
        outline
            .exports
            .iter()
            .any(|e| e == "boomgate:policy/policy@0.2.0"),
        "{outline:?}"
    );
    assert_eq!(outline.core_modules, 1, "{outline:?}");
    // Room to grow: a policy four times as large still compiles.
    assert!(outline.functions * 4 < limits.max_functions, "{outline:?}");
    assert!(
        outline.code_bytes * 4 < limits.max_code_bytes,
        "{outline:?}"
    );
    eprintln!("standard-lot: {outline:?}");
}
