/* sanitize_keep_modules.c - linked into mcpi only in AddressSanitizer builds
 * (CMake option MCPI_SANITIZE containing "address").
 *
 * Open MPI loads its MCA components with dlopen and unloads them with dlclose
 * in MPI_Finalize.  Allocations those components keep for the life of the
 * process then show up in LeakSanitizer's report as "<unknown module>" with a
 * truncated stack, which no suppression by library name can match.  Making
 * dlclose a no-op keeps every module mapped until exit, so each report names
 * its library and tests/lsan.supp can suppress the runtime's own allocations
 * while a leak in mcpi's code still fails the run. */

int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
