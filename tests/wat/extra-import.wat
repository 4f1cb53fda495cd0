;; A component that imports a clock: a policy must import nothing.
(component
  (import "wasi:clocks/wall-clock@0.2.0" (instance
    (export "now" (func (result u64))))))
