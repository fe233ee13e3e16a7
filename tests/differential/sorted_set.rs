//! Differential scripts for the sorted_set commands (issue 3).
