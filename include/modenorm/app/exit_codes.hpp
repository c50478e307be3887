#pragma once
// Process exit codes, the same on every rank.

namespace modenorm::app {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitInternalError = 1;  // a defect or an environment failure
inline constexpr int kExitInputError = 2;     // bad data, file or option: the user can fix it
inline constexpr int kExitInterrupted = 130;  // SIGINT/SIGTERM: stopped cleanly

}  // namespace modenorm::app
