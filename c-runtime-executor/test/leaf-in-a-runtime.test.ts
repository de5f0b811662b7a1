import { describeLeafInARuntime } from "@ch08/http/test/suites/leaf-in-a-runtime";
import { DeadlineError, Http, runtime } from "../dist/index.js";

// The suite stages b and c share: an answer already there when the leaf registers is not
// lost, and a future the executor gives up on leaves no socket, token or waker behind.
describeLeafInARuntime({ DeadlineError, Http, runtime });
