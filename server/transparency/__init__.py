"""The custody log: a C2SP tlog-tiles transparency log of every custody event, its signed
checkpoints, proofs, witnesses and the background integrator."""
