//! Virtual My Number cards: the JPKI applet as an APDU state machine, reachable in-process and
//! through PC/SC (vpcd). Nothing here yet: it is the subject of the virtual-card issue.
