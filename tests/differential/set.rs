//! Differential scripts for the set commands (issue 3).
