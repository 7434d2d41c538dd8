#ifndef CLAVIGER_FUZZ_DRIVER_H
#define CLAVIGER_FUZZ_DRIVER_H

/// Runs libFuzzer's driver on this executable's LLVMFuzzerTestOneInput.
///
/// SwiftPM links release executables with `--defsym main=<module>_main` (so that tests can link
/// them), which replaces libFuzzer's own `main`. Each harness therefore defines `<module>_main`
/// and calls this; libFuzzer then parses the command line exactly as its `main` would.
int claviger_fuzz_driver_main(int argc, char **argv);

#endif
