//! The few floating-point operations the core needs that `core` lacks
//! (`f64::ceil`, `floor` and `powf` are the standard library's): written
//! here so the npm package's `no_std` build has them, and used by both
//! builds so they behave alike.

/// From 2^52 on, every `f64` is a whole number.
const WHOLE_FROM: f64 = 4_503_599_627_370_496.0;

/// Whether `x` is a whole number already (or NaN or infinite), which
/// rounding leaves as it is; below, the casts to `i64` are exact.
fn is_whole_or_not_finite(x: f64) -> bool {
    !(x < WHOLE_FROM && x > -WHOLE_FROM)
}

/// `x` rounded up to a whole number: `f64::ceil`.
pub fn ceil(x: f64) -> f64 {
    if is_whole_or_not_finite(x) {
        return x;
    }
    let whole = x as i64 as f64;
    if whole < x {
        whole + 1.0
    } else {
        whole
    }
}

/// `x` rounded down to a whole number: `f64::floor`.
pub fn floor(x: f64) -> f64 {
    if is_whole_or_not_finite(x) {
        return x;
    }
    let whole = x as i64 as f64;
    if whole > x {
        whole - 1.0
    } else {
        whole
    }
}

/// `base` to the power `exponent`, by squaring: exact whenever the powers
/// of `base` are (as for 2, 1.5 or 1.25), else within a few units in the
/// last place of `f64::powi`.
pub fn powi(base: f64, exponent: u32) -> f64 {
    let (mut result, mut square, mut rest) = (1.0, base, exponent);
    while rest > 0 {
        if rest & 1 == 1 {
            result *= square;
        }
        square *= square;
        rest >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_as_std_does() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1.5,
            99.999,
            100.0,
            -7.25,
            2147483646.5,
        ] {
            assert_eq!(ceil(x), f64::ceil(x), "ceil {x}");
            assert_eq!(floor(x), f64::floor(x), "floor {x}");
        }
    }

    #[test]
    fn powers_of_short_factors_are_exact() {
        for (base, exponent, expected) in [
            (2.0, 10, 1024.0),
            (1.5, 3, 3.375),
            (1.0, 1000, 1.0),
            (3.0, 0, 1.0),
        ] {
            assert_eq!(powi(base, exponent), expected);
        }
        assert_eq!(powi(2.0, 2000), f64::INFINITY);
    }

    // proptest does not build for wasm32 (Cargo.toml): native only.
    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn matches_std_within_the_range_used(x in -1e12f64..1e12, base in 1.0f64..10.0, exponent in 0u32..64) {
            proptest::prop_assert_eq!(ceil(x), x.ceil());
            proptest::prop_assert_eq!(floor(x), x.floor());
            let expected = base.powi(exponent as i32);
            proptest::prop_assert!(((powi(base, exponent) - expected) / expected).abs() < 1e-14);
        }
    }
}
