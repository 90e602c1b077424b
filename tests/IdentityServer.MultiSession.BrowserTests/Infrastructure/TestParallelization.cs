// The browser tests' collections (the shared IdP's and the passkey tests' own) run one after another: each starts its own
// IdP, client app and Chromium, and on a small CI machine two at once would only make their timeouts flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
