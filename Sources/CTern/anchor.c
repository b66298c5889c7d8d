// SwiftPM needs one source file in a C target; the header (include/tern.h) is the whole target.
