//! The floating-point power the retry policy needs, which `core` lacks
//! (`f64::powi` is the standard library's): written here so the npm
//! package's `no_std` build has it, and used by both builds so they behave
//! alike.

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
        fn matches_std_within_the_range_used(base in 1.0f64..10.0, exponent in 0u32..64) {
            let expected = base.powi(exponent as i32);
            proptest::prop_assert!(((powi(base, exponent) - expected) / expected).abs() < 1e-14);
        }
    }
}
