package simulate

import (
	"context"
	"math"
	"time"

	"carecircle/internal/notify"
)

// count reads what the database holds after the run and measures it
// against what the simulation made people do:
//
//   - missed greetings: elders living alone whom nobody greeted before the
//     alert hour that day;
//   - alerted by the deadline: of those, the ones whose not-greeted alert
//     was raised by the alert hour and reached a person — a message about
//     the alert delivered (to an account's inbox, or by SMS or e-mail);
//   - false alarms: alerts about an elder greeted before the alert hour
//     that day, or about one who does not live alone;
//   - messages by the day they were created: created, delivered, lost
//     (not delivered when the outbox was drained after the last day);
//   - the longest wait from the alert hour to the first delivered message
//     about a missed elder, in minutes.
func (s *sim) count(ctx context.Context) (*Result, error) {
	alerts, err := s.db.AllAlerts(ctx)
	if err != nil {
		return nil, err
	}
	msgs, err := s.db.AllOutbox(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{Days: s.cfg.Days, Alerts: len(alerts), Acknowledged: s.acks, LateGreetings: s.late,
		DeliveryFailures: s.sms.failures + s.mail.failures, ByChannel: map[notify.Channel]int{}}
	index := map[int64]int{} // elder id → index
	for i, e := range s.elders {
		index[e.ID] = i
		if e.alone {
			res.Alone++
		}
	}
	type key struct {
		elder int
		day   string
	}
	alertOf := map[key]int64{}
	raisedAt := map[int64]time.Time{}
	for _, a := range alerts {
		alertOf[key{index[a.ElderID], a.Day}] = a.ID
		raisedAt[a.ID] = a.RaisedAt
	}
	firstDelivered := map[int64]time.Time{} // alert → first delivery to a person
	firstSMS := map[int64]time.Time{}
	for _, m := range msgs {
		// The alert's own messages: the evening's reminders to the
		// neighbours join the alert when it is raised, but were sent
		// before it.
		if m.AlertID == 0 || m.Status != notify.StatusDelivered || m.CreatedAt.Before(raisedAt[m.AlertID]) {
			continue
		}
		if f, ok := firstDelivered[m.AlertID]; !ok || m.DeliveredAt.Before(f) {
			firstDelivered[m.AlertID] = m.DeliveredAt
		}
		if f, ok := firstSMS[m.AlertID]; m.Channel == notify.ChannelSMS && (!ok || m.DeliveredAt.Before(f)) {
			firstSMS[m.AlertID] = m.DeliveredAt
		}
	}
	dayOf := map[string]int{}
	for d := range s.cfg.Days {
		date := s.day(d).Format(time.DateOnly)
		dayOf[date] = d
		deadline := s.deadline(d)
		day := Day{Date: date}
		for i, e := range s.elders {
			id, alerted := alertOf[key{i, date}]
			_, greeted := s.greeted[d][i]
			if alerted && (greeted || !e.alone) {
				day.FalseAlarms++
			}
			if !e.alone || greeted {
				continue
			}
			day.MissedGreetings++
			if !alerted {
				continue
			}
			first, reached := firstDelivered[id]
			if raisedAt[id].After(deadline) || !reached {
				continue
			}
			day.AlertedByDeadline++
			wait := math.Round(max(0, first.Sub(deadline).Minutes())*10) / 10
			day.MaxMinutesToFirstPerson = max(day.MaxMinutesToFirstPerson, wait)
			if sms, ok := firstSMS[id]; ok {
				res.MaxMinutesToFirstSMS = max(res.MaxMinutesToFirstSMS, math.Round(max(0, sms.Sub(deadline).Minutes())*10)/10)
			}
		}
		res.PerDay = append(res.PerDay, day)
	}
	for _, m := range msgs {
		d, ok := dayOf[m.CreatedAt.In(s.db.Loc).Format(time.DateOnly)]
		if !ok {
			d = 0 // written while the street was built (none are): the first day
			if m.CreatedAt.After(s.day(0)) {
				d = s.cfg.Days - 1
			}
		}
		day := &res.PerDay[d]
		day.MessagesCreated++
		res.ByChannel[m.Channel]++
		if m.Status == notify.StatusDelivered {
			day.MessagesDelivered++
			res.MaxDeliveryMinutes = max(res.MaxDeliveryMinutes, math.Round(m.DeliveredAt.Sub(m.CreatedAt).Minutes()*10)/10)
		} else {
			day.MessagesLost++
		}
	}
	for i := range res.PerDay {
		day := &res.PerDay[i]
		day.Recall = ratio(day.AlertedByDeadline, day.MissedGreetings)
		res.MissedGreetings += day.MissedGreetings
		res.AlertedByDeadline += day.AlertedByDeadline
		res.FalseAlarms += day.FalseAlarms
		res.MessagesCreated += day.MessagesCreated
		res.MessagesDelivered += day.MessagesDelivered
		res.MessagesLost += day.MessagesLost
		res.MaxMinutesToFirstPerson = max(res.MaxMinutesToFirstPerson, day.MaxMinutesToFirstPerson)
	}
	res.Recall = ratio(res.AlertedByDeadline, res.MissedGreetings)
	return res, nil
}

// ratio is n/of, 1 when nothing was to be caught.
func ratio(n, of int) Ratio {
	if of == 0 {
		return 1
	}
	return Ratio(math.Round(float64(n)/float64(of)*10000) / 10000)
}
