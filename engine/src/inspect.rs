//! What an upload is made of, read with `wasmparser` before anything is
//! compiled.
//!
//! Compiling costs CPU and memory in proportion to a module's functions and
//! code: a component of 100 000 empty functions (1.7 MB) took 4–7 s of CPU
//! and half a GiB of memory to compile before its exports were checked and
//! it was refused. The outline here is read in one pass over the bytes,
//! without compiling or validating code (wasmtime validates what passes),
//! and refuses what a policy never is — a component importing anything, or
//! beyond the engine's [`CompileLimits`](crate::CompileLimits) — naming the
//! limit.

use wasmparser::{Parser, Payload};

use crate::error::LoadError;

/// The limits an upload is held to before it is compiled.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompileLimits {
    /// Core modules inside the component (a Rust policy has one or two).
    pub max_core_modules: usize,
    /// Functions defined across its core modules.
    pub max_functions: usize,
    /// The largest function body, in bytes.
    pub max_function_bytes: usize,
    /// Code across all its core modules, in bytes.
    pub max_code_bytes: usize,
}

impl Default for CompileLimits {
    fn default() -> Self {
        CompileLimits {
            max_core_modules: 16,
            max_functions: 20_000,
            max_function_bytes: 512 << 10,
            max_code_bytes: 6 << 20,
        }
    }
}

/// A component's outline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// Core modules inside it, at any depth.
    pub core_modules: usize,
    /// Functions defined in them.
    pub functions: usize,
    /// Bytes of code in them.
    pub code_bytes: usize,
    /// The largest function body.
    pub largest_function: usize,
    /// What the outermost component imports.
    pub imports: Vec<String>,
    /// What it exports.
    pub exports: Vec<String>,
}

impl Outline {
    /// Reads `bytes` as a component; a parse error is an invalid component.
    pub fn read(bytes: &[u8]) -> Result<Outline, LoadError> {
        let mut outline = Outline::default();
        let mut depth = 0usize;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| LoadError::Invalid(e.to_string()))?;
            match payload {
                Payload::ModuleSection { .. } => {
                    outline.core_modules += 1;
                    depth += 1;
                }
                Payload::ComponentSection { .. } => depth += 1,
                Payload::End(_) => depth = depth.saturating_sub(1),
                Payload::CodeSectionStart { count, .. } => {
                    outline.functions += count as usize;
                }
                Payload::CodeSectionEntry(body) => {
                    let size = body.range().len();
                    outline.code_bytes += size;
                    outline.largest_function = outline.largest_function.max(size);
                }
                Payload::ComponentImportSection(imports) if depth == 0 => {
                    for import in imports {
                        let import = import.map_err(|e| LoadError::Invalid(e.to_string()))?;
                        outline.imports.push(import.name.name.to_owned());
                    }
                }
                Payload::ComponentExportSection(exports) if depth == 0 => {
                    for export in exports {
                        let export = export.map_err(|e| LoadError::Invalid(e.to_string()))?;
                        outline.exports.push(export.name.name.to_owned());
                    }
                }
                _ => {}
            }
        }
        Ok(outline)
    }

    /// Refuses what a policy never imports and what is beyond `limits`.
    pub fn check(&self, limits: &CompileLimits) -> Result<(), LoadError> {
        if !self.imports.is_empty() {
            return Err(LoadError::Imports(self.imports.clone()));
        }
        let over = |what: &'static str, value: usize, limit: usize, setting: &'static str| {
            (value > limit).then_some(LoadError::OverLimit {
                what,
                value,
                limit,
                setting,
            })
        };
        let refused = over(
            "core modules",
            self.core_modules,
            limits.max_core_modules,
            "max_core_modules",
        )
        .or_else(|| {
            over(
                "functions",
                self.functions,
                limits.max_functions,
                "max_functions",
            )
        })
        .or_else(|| {
            over(
                "bytes in its largest function",
                self.largest_function,
                limits.max_function_bytes,
                "max_function_bytes",
            )
        })
        .or_else(|| {
            over(
                "bytes of code",
                self.code_bytes,
                limits.max_code_bytes,
                "max_code_bytes",
            )
        });
        match refused {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
