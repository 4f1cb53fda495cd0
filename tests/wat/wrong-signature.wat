;; A component that exports the policy interface with the wrong types: its
;; `describe` takes an argument and returns nothing.
(component
  (core module $m (func (export "describe") (param i32)))
  (core instance $i (instantiate $m))
  (func $describe (param "x" u32) (canon lift (core func $i "describe")))
  (instance $policy (export "describe" (func $describe)))
  (export "boomgate:policy/policy@0.1.0" (instance $policy)))
