//! The interface's exports, each signature stated once per interface
//! version.
//!
//! The tables at the bottom are the only places a function's parameter and
//! result types are written. From each, [`exports!`] generates where each
//! function is found in a component, the check of its type when the module
//! is loaded, and a handle per function whose `typed` call skips that check
//! on every later call. Skipping is the one `unsafe` operation of the engine,
//! and it is sound for the reason stated at [`checked`]: a handle is only
//! made from an instance of a component whose exports passed the check,
//! with the types from the same table row.

use wasmtime::component::{ComponentNamedList, Func, Lift, Lower, TypedFunc};

/// Gives `func` the type `TypedFunc<P, R>` without checking it again.
#[allow(
    unsafe_code,
    reason = "the engine's one unchecked conversion; see the safety argument"
)]
fn checked<P, R>(func: Func) -> TypedFunc<P, R>
where
    P: ComponentNamedList + Lower,
    R: ComponentNamedList + Lift,
{
    // SAFETY: the unchecked conversion requires that `func` has the type
    // `(P) -> (R)`. Its only callers are the `typed` methods generated below,
    // and their handles are only made by `Exports::<name>`, which looks the
    // function up in an instance of a component that `Exports::typecheck`
    // accepted at load with exactly these `P` and `R` (both come from the
    // same row of the same version's table). An instance of a component has
    // the types of that component, so the type holds.
    unsafe { TypedFunc::new_unchecked(func) }
}

macro_rules! exports {
    (interface = $interface:expr; $(
        $(#[$doc:meta])*
        $handle:ident $field:ident = $name:literal : fn<$lt:lifetime>($($param:ty),*) -> $result:ty;
    )*) => {
        use wasmtime::Store;
        use wasmtime::component::{Component, ComponentExportIndex, Func, Instance, TypedFunc};

        use crate::store::StoreState;

        /// The interface this table is of.
        pub(crate) const INTERFACE: &str = $interface;

        /// Where the interface's functions are in a component.
        #[derive(Clone)]
        pub(crate) struct Exports {
            $( $field: ComponentExportIndex, )*
        }

        impl Exports {
            /// Finds every function of the interface, or says which is missing.
            pub(crate) fn find(component: &Component) -> Result<Self, String> {
                let interface = component
                    .get_export_index(None, INTERFACE)
                    .ok_or_else(|| format!("no `{INTERFACE}` instance"))?;
                Ok(Exports {
                    $( $field: component
                        .get_export_index(Some(&interface), $name)
                        .ok_or_else(|| format!("`{INTERFACE}` has no function `{}`", $name))?, )*
                })
            }

            /// Checks every function's type once, so that calls can skip the
            /// check.
            pub(crate) fn typecheck(
                &self,
                store: &mut Store<StoreState>,
                instance: &Instance,
            ) -> Result<(), String> {
                $({
                    #[allow(
                        clippy::extra_unused_lifetimes,
                        reason = "the row's types name the lifetime; any will do for the check"
                    )]
                    fn check<$lt>(
                        store: &mut Store<StoreState>,
                        instance: &Instance,
                        index: &ComponentExportIndex,
                    ) -> wasmtime::Result<()> {
                        instance
                            .get_typed_func::<($($param,)*), ($result,)>(store, index)
                            .map(drop)
                    }
                    check(store, instance, &self.$field)
                        .map_err(|e| format!("`{}`: {e:#}", $name))?;
                })*
                Ok(())
            }

            $(
                $(#[$doc])*
                pub(crate) fn $field(
                    &self,
                    store: &mut Store<StoreState>,
                    instance: &Instance,
                ) -> wasmtime::Result<$handle> {
                    instance
                        .get_func(&mut *store, &self.$field)
                        .map($handle)
                        .ok_or_else(|| wasmtime::format_err!("`{}`, checked at load, is missing", $name))
                }
            )*
        }

        $(
            $(#[$doc])*
            ///
            /// Made only by [`Exports`] from a checked instance.
            #[derive(Clone, Copy)]
            pub(crate) struct $handle(Func);

            impl $handle {
                /// The function with its checked type.
                #[allow(
                    clippy::extra_unused_lifetimes,
                    reason = "the row's types name the lifetime, or not"
                )]
                pub(crate) fn typed<$lt>(self) -> TypedFunc<($($param,)*), ($result,)> {
                    super::checked(self.0)
                }
            }
        )*
    };
}

/// `boomgate:policy@0.2.0`.
pub(crate) mod v2 {
    use crate::bindings::v2::exports::boomgate::policy::policy as wit;

    exports! {
        interface = "boomgate:policy/policy@0.2.0";
        /// `describe`: who the module is and what settings it takes.
        Describe describe = "describe": fn<'a>() -> wit::PolicyInfo;
        /// `configure`: settings JSON to the module's compiled settings and
        /// what it needs.
        Configure configure = "configure":
            fn<'a>(&'a str) -> Result<wit::Configured, wit::SettingsError>;
        /// `evaluate`: one event's decision.
        Evaluate evaluate = "evaluate": fn<'a>(&'a [u8], wit::Input<'a>) -> wit::Decision;
        /// `fee-schedule`: the fee schedule as text.
        FeeSchedule fee_schedule = "fee-schedule":
            fn<'a>(&'a [u8], Option<&'a str>) -> Result<String, String>;
        /// `fee-quote`: the price of a stay.
        FeeQuote fee_quote = "fee-quote":
            fn<'a>(&'a [u8], wit::Stay<'a>) -> Result<wit::Quote, String>;
        /// `describe-lot`: what an agent tells callers about the lot.
        DescribeLot describe_lot = "describe-lot":
            fn<'a>(&'a [u8], Option<&'a str>) -> Result<wit::LotInfo, String>;
        /// `prompts`: what agents push to the robot with one click.
        Prompts prompts = "prompts":
            fn<'a>(&'a [u8], Option<&'a str>) -> Result<Vec<wit::Prompt>, String>;
    }
}

/// `boomgate:policy@0.1.0`.
pub(crate) mod v1 {
    use crate::bindings::v1::exports::boomgate::policy::policy as wit;

    exports! {
        interface = "boomgate:policy/policy@0.1.0";
        /// `describe`: who the module is and what settings it takes.
        Describe describe = "describe": fn<'a>() -> wit::PolicyInfo;
        /// `configure`: settings JSON to the module's compiled settings.
        Configure configure = "configure": fn<'a>(&'a str) -> Result<Vec<u8>, wit::SettingsError>;
        /// `evaluate`: one event's decision.
        Evaluate evaluate = "evaluate": fn<'a>(&'a [u8], wit::Input<'a>) -> wit::Decision;
        /// `fee-schedule`: the fee schedule as text.
        FeeSchedule fee_schedule = "fee-schedule":
            fn<'a>(&'a [u8], Option<&'a str>) -> Result<String, String>;
        /// `fee-quote`: the price of a stay.
        FeeQuote fee_quote = "fee-quote": fn<'a>(&'a [u8], wit::Stay) -> Result<wit::Quote, String>;
        /// `describe-lot`: what an agent tells callers about the lot.
        DescribeLot describe_lot = "describe-lot":
            fn<'a>(&'a [u8], Option<&'a str>) -> Result<wit::LotInfo, String>;
    }
}
