/*
 * The trace's event kinds as the reader numbers them (names in
 * include/faultline/schema.h). A header of its own so that the schema
 * table (read/keys.h) and the reader's interface (read/reader.h) can both
 * name them without including each other.
 */
#ifndef FL_EVENTS_H
#define FL_EVENTS_H

enum fl_ev {
	FL_E_UNKNOWN = 0,
	FL_E_HEADER,
	FL_E_MAPS,
	FL_E_STACK,
	FL_E_ALLOC,
	FL_E_FREE,
	FL_E_REALLOC,
	FL_E_MMAP,
	FL_E_MUNMAP,
	FL_E_MREMAP,
	FL_E_MPROTECT,
	FL_E_MADVISE,
	FL_E_BRK,
	FL_E_FORK,
	FL_E_EXEC,
	FL_E_EXIT,
	FL_E_FAULTS,
	FL_E_COUNTERS,
	FL_E_RESIDENCY,
	FL_E_WSS,
	FL_E_IO,
	FL_E_HEAP,
	FL_E_SITES,
	FL_E_NOTE,
	FL_E_ALLOC_FAILED,
	FL_E_HEAPCALLS, /* expanded by the reader into ALLOC, FREE, REALLOC */
	FL_E_COUNT
};

#endif
