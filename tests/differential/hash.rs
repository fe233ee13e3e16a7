//! Differential scripts for the hash commands (issue 3).
