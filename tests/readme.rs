//! The README's Rust code block is the text of `tests/readme/watch.rs`,
//! which the browser suite compiles for wasm32 and runs against the test
//! server (`readme_example` in `tests/browser_rust_api.rs`).

#[test]
fn the_readme_rust_block_is_the_tested_example() {
    let readme = include_str!("../README.md");
    let example = include_str!("readme/watch.rs");
    let blocks: Vec<&str> = readme
        .split("```rust\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or_default())
        .collect();
    assert_eq!(
        blocks,
        [example],
        "README.md's ```rust block differs from tests/readme/watch.rs"
    );
}
