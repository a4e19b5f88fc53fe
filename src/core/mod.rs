//! Sans-IO connection core.
