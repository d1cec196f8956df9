#include "base/state.h"

int fl_state = FL_UNINIT;
