#pragma once
// Test-only fault injection, so reliability tests can fail a real run at a chosen point:
//   MODENORM_FAULT="<site>:<n>"         fails every rank at the n-th event of <site>
//   MODENORM_FAULT="<site>:<n>:<rank>"  fails that rank only (the others are left waiting in
//                                       their next collective call, as after a real crash)
// Sites: "fit-iteration" (after iteration n and its checkpoint). Unset: no cost, no effect.

#include <cstdint>
#include <string_view>

namespace modenorm::app {

void inject_fault_if_requested(std::string_view site, std::uint64_t event, int rank);

}  // namespace modenorm::app
