#pragma once
// Test-only fault injection, so reliability tests can fail a real run at a chosen point:
//   MODENORM_FAULT="<site>:<n>"         fails every rank at the n-th event of <site>
//   MODENORM_FAULT="<site>:<n>:<rank>"  fails that rank only (the others are left waiting in
//                                       their next collective call, as after a real crash)
//   MODENORM_DELAY="<site>:<ms>"        sleeps <ms> milliseconds at every event of <site>, so a
//                                       test can signal a run that is reliably still going
// Sites: "fit-iteration" (after iteration n and its checkpoint) for faults; "transform-slab"
// (after each slab is recorded as done) for delays. Unset: no cost, no effect.

#include <cstdint>
#include <string_view>

namespace modenorm::app {

void inject_fault_if_requested(std::string_view site, std::uint64_t event, int rank);
void delay_if_requested(std::string_view site);

}  // namespace modenorm::app
