# Strict warnings for our own targets; -Werror only when asked (CI), never
# forced on consumers.
function(verinfer_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion -Wnon-virtual-dtor)
  if(VERINFER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(VERINFER_SANITIZERS)
    target_compile_options(${target} PRIVATE -fsanitize=${VERINFER_SANITIZERS}
                                             -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=${VERINFER_SANITIZERS})
  endif()
endfunction()
