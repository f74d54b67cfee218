// The AIR layer: constraint systems decoded from verifying keys and their evaluators — the
// prover's quotient (block interpreter on the quotient domain), the verifier's out-of-domain
// check, and the LogUp after-challenge trace.
#pragma once

#include "stark/air/constraint_system.hpp"
#include "stark/air/logup.hpp"
#include "stark/air/ood.hpp"
#include "stark/air/quotient.hpp"
