// Digamma, log-Gamma and log-Beta for the E-step and the lower bound (VGM_SPEC §4.1, §6.1, §10).
#pragma once

namespace modenorm::core {

// psi(x) for x > 0, relative error ~1e-15 (also near its root x0 = 1.4616..., where a Taylor
// series about x0 replaces the cancelling recurrence). NaN for x <= 0.
[[nodiscard]] double digamma(double x);

// ln |Gamma(x)|, reentrant (lgamma_r does not write the global signgam).
[[nodiscard]] double log_gamma(double x);

// ln B(a, b) = lnG(a) + lnG(b) - lnG(a + b) for a, b > 0. When one argument is large the
// difference lnG(big) - lnG(big + small) is formed by an asymptotic expansion, so the error
// is relative to the result rather than to lnG(a + b) (VGM_SPEC §10: a reaches ~1e9).
[[nodiscard]] double log_beta(double a, double b);

}  // namespace modenorm::core
