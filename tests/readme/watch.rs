use futures_util::StreamExt;
use sse_wasm::core::connection::State;
use sse_wasm::core::retry::RetryOptions;
use sse_wasm::{Client, Error};

#[derive(serde::Deserialize)]
struct Tick {
    n: u32,
}

/// Shows the ticks from `url` until `show` returns `false`, and the
/// connection's state as it changes.
pub async fn watch(
    url: &str,
    on_state: impl FnMut(State) + 'static,
    mut show: impl FnMut(u32) -> bool,
) -> Result<(), Error> {
    let client = Client::builder(url)
        .bearer("my-token")
        .retry(RetryOptions {
            max_attempts: Some(5),
            ..RetryOptions::default()
        })
        .build()?; // Err(Error::InvalidUrl | Error::InvalidOption { option, .. })
    let _state = client.on_state_change(on_state); // a guard: dropping it unsubscribes
    let mut ticks = client.json_events::<Tick>("message"); // a Stream, ended by close()
    while let Some(tick) = ticks.next().await {
        if !show(tick?.n) {
            break; // `?`: Err(Error::Json { .. }) if the data is not a Tick
        }
    }
    Ok(()) // dropping `client` closes the connection
}
