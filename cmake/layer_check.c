/* layer_check.c - the program each layer's objects are linked into with the
 * layers below it only (CMakeLists.txt, mcpi_layer_*): it calls nothing, so
 * the link succeeds exactly when no object of the layer refers to a symbol
 * of a higher layer. */
int main(void)
{
    return 0;
}
