import { describeDelayServerContract } from "./helpers/contract.js";

// The delayserver's own suites against stage d's server, on the OS event queue mio
// chooses (epoll on Linux; delayserver-contract-poll.test.ts holds poll(2) to them too).
describeDelayServerContract(process.env.MIO_BACKEND ?? "epoll");
