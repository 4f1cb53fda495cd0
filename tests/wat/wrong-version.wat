;; A component exporting a later version of the policy interface.
(component
  (core module $m (func (export "describe")))
  (core instance $i (instantiate $m))
  (func $describe (canon lift (core func $i "describe")))
  (instance $policy (export "describe" (func $describe)))
  (export "boomgate:policy/policy@0.9.0" (instance $policy)))
